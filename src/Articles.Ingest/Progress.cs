using System.Diagnostics;

namespace Articles.Ingest;

// A bar on a terminal, a plain line every few seconds when output goes to a file or a pipe.
internal sealed class Progress(TextWriter writer, bool interactive, int totalFiles)
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDrawn = TimeSpan.FromDays(-1);
    private int _done;
    private int _drawnDone = -1;
    private bool _barShown;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(int filesDone, bool final = false)
    {
        _done = filesDone;
        var interval = interactive ? TimeSpan.FromMilliseconds(100) : PlainEvery;
        var due = _clock.Elapsed - _lastDrawn >= interval;
        // The last line is drawn once, however the final call and the last batch fall.
        if (!(due || final) || (final && !interactive && _drawnDone == _done))
        {
            return;
        }
        _lastDrawn = _clock.Elapsed;
        _drawnDone = _done;
        if (interactive)
        {
            writer.Write($"\r{Line()}\u001b[K");
            _barShown = true;
            if (final)
            {
                writer.WriteLine();
                _barShown = false;
            }
        }
        else
        {
            writer.WriteLine($"progress: {Line()}");
        }
    }

    // A message that must not be drawn over by the bar.
    public void Log(string message)
    {
        writer.WriteLine(_barShown ? $"\r\u001b[K{message}" : message);
        if (_barShown)
        {
            writer.Write($"\r{Line()}\u001b[K");
        }
    }

    private string Line()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var rate = _done / seconds;
        var eta = rate > 0 ? TimeSpan.FromSeconds((totalFiles - _done) / rate) : TimeSpan.Zero;
        var fraction = totalFiles == 0 ? 1 : (double)_done / totalFiles;
        var text = $"{_done:N0}/{totalFiles:N0} files  {rate:N0} docs/s  ETA {eta:mm\\:ss}";
        if (!interactive)
        {
            return $"{fraction:P0} {text}";
        }
        const int width = 30;
        var filled = (int)(fraction * width);
        return $"[{new string('#', filled)}{new string('-', width - filled)}] {fraction,4:P0} {text}";
    }
}
