namespace Articles.Ingest;

internal static class ExitCodes
{
    public const int Loaded = 0;
    public const int SomeRejected = 1;
    public const int CouldNotRun = 2;
    public const int Interrupted = 3;
}
