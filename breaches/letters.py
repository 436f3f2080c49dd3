"""Art. 34 letters to the people affected and the public communication (helper B)."""
