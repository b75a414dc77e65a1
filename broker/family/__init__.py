"""Family transparency: parents and youths see what was shared about them, with whom, when
and why; they withdraw consent and ask for destruction (Jeugdwet 7.3.9) themselves."""
