"""One module per screen: enrolment, sign-in, residents, a resident's record, reviews."""
