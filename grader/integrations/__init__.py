"""Where grades go: Gradescope autograder bundles and GitHub (Actions, Classroom)."""
