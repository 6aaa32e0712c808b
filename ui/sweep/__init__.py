"""The Sweep page's sections: the form, a sweep's card and figures, and the history."""
