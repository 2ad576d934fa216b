"""Big Models, Hands-On: the course helper library."""
