raise AssertionError("cycle_b must not be imported")

__plugin__ = {"name": "cycle_b", "requires": ["cycle_a"]}
