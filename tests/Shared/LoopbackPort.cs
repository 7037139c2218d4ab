using System.Net;
using System.Net.Sockets;

namespace Articles.Testing;

public static class LoopbackPort
{
    // A port nothing listens on right now; the caller binds it next.
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
