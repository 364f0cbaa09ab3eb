"""lecture_utils: the helper package behind the course companion notebooks.

One module per topic, named after it (``linear`` backs notebook 01, ``pyramids``
notebook 02, ...). Every public function takes and returns plain numpy arrays,
validates its arguments before doing any work, and computes in float64.
"""

__version__ = "0.1.0"
