raise AssertionError("after_cycle must not be imported")

__plugin__ = {"name": "after_cycle", "requires": ["cycle_a"]}
