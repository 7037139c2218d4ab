namespace Articles.Api.Tests;

// Classes whose checks are bounds in wall-clock time (timeouts, recovery, drain windows, catch-up within a second) or
// that stop servers under load: they run one at a time after the parallel classes, not on cores other classes are using.
[CollectionDefinition(nameof(Timing), DisableParallelization = true)]
public sealed class Timing;
