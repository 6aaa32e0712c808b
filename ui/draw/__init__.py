"""The Draw page's sections: the canvas, number mode and Explain."""
