"""The Evaluate page's sections: the data sets and answers, the worker process and the figures."""
