"""The class: the drawings students save (and, later, the wall and the teacher key)."""
