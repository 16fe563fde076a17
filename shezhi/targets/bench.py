"""`make bench` figures of the targets dashboard (filled in with the measurements)."""


def run(figure, say, rounds) -> None:
    pass
