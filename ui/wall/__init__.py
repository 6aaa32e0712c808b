"""The class wall's sections: the tiles and tally, and each drawing's answers."""
