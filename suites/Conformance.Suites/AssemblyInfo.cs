// Checks are independent; run them side by side. The target profile's maxConcurrency bounds the load
// on a real tenant further down, in the HTTP layer (requests in flight).
[assembly: Parallelizable(ParallelScope.Children)]
[assembly: LevelOfParallelism(4)]

// Every result message, stack trace and assertion passes through the run's redactor before a logger sees it.
[assembly: Conformance.Suites.Run.RedactResults]
