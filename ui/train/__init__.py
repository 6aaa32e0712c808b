"""The Train page's sections: the form, a run's card and curves, and the history."""
