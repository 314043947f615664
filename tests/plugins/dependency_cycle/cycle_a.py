raise AssertionError("cycle_a must not be imported")

__plugin__ = {"name": "cycle_a", "requires": ["cycle_b"]}
