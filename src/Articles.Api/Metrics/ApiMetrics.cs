using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Articles.Api.Metrics;

// What /metrics exposes about HTTP: requests by route, method and status, and a latency histogram by route.
// Npgsql's own pool instruments (meter "Npgsql") are read from a MeterListener at scrape time.
internal sealed class ApiMetrics : IDisposable
{
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Route, string Method, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();
    private readonly ConcurrentDictionary<string, double> _pool = new();
    private readonly MeterListener _listener = new();

    private sealed class Histogram
    {
        public readonly long[] Counts = new long[Buckets.Length + 1];
        public double Sum;
    }

    public ApiMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name.Contains("connection", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public void Observe(string route, string method, int status, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((route, method, status), 1, (_, n) => n + 1);
        var histogram = _latency.GetOrAdd(route, _ => new Histogram());
        var seconds = elapsed.TotalSeconds;
        var bucket = Array.FindIndex(Buckets, b => seconds <= b);
        lock (histogram)
        {
            histogram.Counts[bucket < 0 ? Buckets.Length : bucket]++;
            histogram.Sum += seconds;
        }
    }

    public void Write(StringBuilder text)
    {
        text.AppendLine("# HELP articles_http_requests_total HTTP requests answered, by route template, method and status.");
        text.AppendLine("# TYPE articles_http_requests_total counter");
        foreach (var ((route, method, status), count) in _requests.OrderBy(r => r.Key))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"articles_http_requests_total{{route=\"{Escape(route)}\",method=\"{method}\",status=\"{status}\"}} {count}");
        }
        text.AppendLine("# HELP articles_http_request_duration_seconds Time to answer, by route template.");
        text.AppendLine("# TYPE articles_http_request_duration_seconds histogram");
        foreach (var (route, histogram) in _latency.OrderBy(h => h.Key))
        {
            long[] counts;
            double sum;
            lock (histogram)
            {
                counts = (long[])histogram.Counts.Clone();
                sum = histogram.Sum;
            }
            long cumulative = 0;
            for (var i = 0; i <= Buckets.Length; i++)
            {
                cumulative += counts[i];
                var le = i < Buckets.Length ? Buckets[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
                text.AppendLine(CultureInfo.InvariantCulture, $"articles_http_request_duration_seconds_bucket{{route=\"{Escape(route)}\",le=\"{le}\"}} {cumulative}");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"articles_http_request_duration_seconds_sum{{route=\"{Escape(route)}\"}} {sum}");
            text.AppendLine(CultureInfo.InvariantCulture, $"articles_http_request_duration_seconds_count{{route=\"{Escape(route)}\"}} {cumulative}");
        }

        _listener.RecordObservableInstruments();
        text.AppendLine("# HELP articles_db_pool Npgsql connection pool instruments (meter Npgsql), by name and state.");
        text.AppendLine("# TYPE articles_db_pool gauge");
        foreach (var (series, value) in _pool.OrderBy(p => p.Key))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"articles_db_pool{{{series}}} {value}");
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder($"instrument=\"{Escape(instrument.Name)}\"");
        foreach (var (key, tag) in tags)
        {
            labels.Append(CultureInfo.InvariantCulture, $",{key.Replace('.', '_')}=\"{Escape(tag?.ToString() ?? "")}\"");
        }
        // Counters report deltas, gauges and up-down counters current values: sum deltas, keep the rest.
        var series = labels.ToString();
        if (instrument is Counter<int> or Counter<long> or UpDownCounter<int> or UpDownCounter<long>)
        {
            _pool.AddOrUpdate(series, value, (_, old) => old + value);
        }
        else
        {
            _pool[series] = value;
        }
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
