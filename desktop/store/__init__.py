"""The PC's encrypted local store (SQLCipher through SQLAlchemy). Only this package runs SQL."""
