namespace Soak;

// One conditional GET: which feed, when its validator was received and when this request was sent, and the answer.
sealed record Poll(string Feed, double ValidatorAt, double SentAt, int Status);

// Partners polling topic and provider feeds with If-None-Match or If-Modified-Since at a fixed pace each, with a key.
sealed class Pollers(Recorder recorder, string key, double pollsPerSecond)
{
    private readonly List<Poll> _polls = [];

    public IReadOnlyList<Poll> Polls { get { lock (_polls) { return [.. _polls]; } } }

    // feed: the topic slug or provider domain whose runs change it (Driver's ChangedFeeds).
    public async Task PollAsync(string feed, string path, bool byETag, CancellationToken stop)
    {
        string? validator = null;
        var validatorAt = 0.0;
        var began = recorder.Now;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var due = began + n / pollsPerSecond;
            if (!await recorder.WaitUntilAsync(due, stop))
            {
                return;
            }
            var headers = new Dictionary<string, string> { ["X-Api-Key"] = key };
            if (validator is not null)
            {
                headers[byETag ? "If-None-Match" : "If-Modified-Since"] = validator;
            }
            var reply = await recorder.GetAsync(byETag ? "feed-etag" : "feed-since", path, Math.Max(due, recorder.Now - 0.0005),
                validator is null ? [200] : [200, 304], headers);
            if (reply is null)
            {
                continue;
            }
            if (validator is not null)
            {
                lock (_polls) { _polls.Add(new Poll(feed, validatorAt, reply.SentAt, reply.Status)); }
            }
            if (reply.Status == 200)
            {
                validator = byETag ? reply.ETag : reply.LastModified;
                validatorAt = reply.ReceivedAt;
                if (validator is null)
                {
                    recorder.Fail($"{path}: a 200 without {(byETag ? "ETag" : "Last-Modified")}");
                    return;
                }
            }
        }
    }

    // Conditional GETs sent after a run's commits were visible, holding a validator received before any of them, for a
    // feed the run changed; and those among them answered 304 more than the staleness bound after the commits.
    public static (int AfterChange, List<string> Stale) Check(IReadOnlyList<Poll> polls, IReadOnlyList<Round> rounds, double bound)
    {
        var afterChange = 0;
        var stale = new List<string>();
        foreach (var poll in polls)
        {
            var change = rounds.FirstOrDefault(r => r.Unchanged > poll.ValidatorAt && r.Committed < poll.SentAt && r.ChangedFeeds.Contains(poll.Feed));
            if (change is null)
            {
                continue;
            }
            afterChange++;
            if (poll.Status == 304 && poll.SentAt > change.Committed + bound)
            {
                stale.Add($"{poll.Feed}: 304 at {poll.SentAt:0.00} s for a validator of {poll.ValidatorAt:0.00} s; run {change.Number} changed it, committed by {change.Committed:0.00} s");
            }
        }
        return (afterChange, stale);
    }
}
