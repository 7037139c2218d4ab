using System.Net;
using System.Net.Sockets;

namespace Articles.Testing;

// Ports for servers a test starts that cannot report a port they chose themselves (PostgreSQL, nginx, Prism).
public static class LoopbackPort
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Given = [];

    // A port below the kernel's ephemeral range, so no outgoing connection (another test's client) can take it before the
    // server binds it; never the same one twice in this process; and bindable right now.
    public static int Free()
    {
        var ephemeralFrom = EphemeralRangeStart();
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(Math.Max(1024, ephemeralFrom - 12_000), ephemeralFrom);
                if (Given.Add(port) && Bindable(port))
                {
                    return port;
                }
            }
        }
        throw new InvalidOperationException("no free loopback port below the ephemeral range");
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var from)
            ? from
            : 32_768;
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
