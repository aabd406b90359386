"""The instructors' gradebook: SQLite storage of attempts and the exports LMSs import."""
