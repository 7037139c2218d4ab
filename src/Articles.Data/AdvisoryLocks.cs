namespace Articles.Data;

// Keys of the PostgreSQL advisory locks that keep writers from interleaving.
public static class AdvisoryLocks
{
    public const long Migrate = 0x4152_5449_0001;
    public const long Ingest = 0x4152_5449_0002;
}
