"""lecture_utils: the helper package behind the course companion notebooks.

The lectures, one module per topic, in notebook order: ``linear`` (01), ``pyramids`` and
``wavelets`` (02), ``steerable``, ``transforms``, ``texture`` and ``magnify`` (03), ``nn`` (04), ``conv``
(05), ``cnn`` (06). Each holds its lecture's
equations in float64, with one declared argument check per function. Beside them:
``gradcheck`` (the one numerical differentiator), ``optim`` (the update rules and the one
training loop), ``data`` (data sets that ship inside dependencies, and the tables ``tools/`` measures),
``baselines`` (notebook 06's
reference model, scikit-learn's logistic regression); ``fast/`` (speed paths,
each tested equal to the lecture function it accelerates), ``demos/`` (figures and widgets,
the only code importing matplotlib or ipywidgets), ``checks/`` (exercise checkers) and
``course/`` (student editions, slides, site).
"""

__version__ = "0.1.0"
