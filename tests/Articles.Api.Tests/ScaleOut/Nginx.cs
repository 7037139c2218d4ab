using System.Diagnostics;
using Articles.Testing;

namespace Articles.Api.Tests.ScaleOut;

// Debian's nginx in a folder of its own, round-robin over the given API ports, retrying idempotent requests on
// the next one when a connection fails (nginx's default proxy_next_upstream: error timeout).
internal sealed class Nginx : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private readonly string _binary;

    private Nginx(Process process, string binary, string dir, int port) => (_process, _binary, _dir, Port) = (process, binary, dir, port);

    public int Port { get; }

    // One line per request: the upstreams nginx tried (comma-separated when it retried) and their statuses.
    public string AccessLog => Path.Combine(_dir, "access.log");

    public static Nginx Start(params int[] upstreams)
    {
        var binary = new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx was not found: apt-get install nginx (test.sh does when run as root)");
        var dir = Directory.CreateTempSubdirectory("articles-nginx-").FullName;
        var port = LoopbackPort.Free();
        WriteConfig(dir, port, upstreams);
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(dir);
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Path.Combine(dir, "nginx.conf"));
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var nginx = new Nginx(process, binary, dir, port);
        nginx.WaitListening();
        return nginx;
    }

    // As an orchestrator does: the new upstream list, then `nginx -s reload` (old workers finish what they hold).
    public void Reload(params int[] upstreams)
    {
        WriteConfig(_dir, Port, upstreams);
        var reload = Process.Start(_binary, ["-p", _dir, "-c", Path.Combine(_dir, "nginx.conf"), "-s", "reload"])!;
        reload.WaitForExit();
        if (reload.ExitCode != 0)
        {
            throw new InvalidOperationException($"nginx -s reload exited with {reload.ExitCode}");
        }
    }

    private static void WriteConfig(string dir, int port, int[] upstreams)
    {
        var servers = string.Concat(upstreams.Select(p => $"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"));
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), $$"""
            daemon off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 512; }
            http {
              log_format upstreams '$msec $status "$upstream_addr" "$upstream_status"';
              access_log {{dir}}/access.log upstreams;
              client_body_temp_path {{dir}}/body;
              proxy_temp_path {{dir}}/proxy;
              fastcgi_temp_path {{dir}}/fastcgi;
              uwsgi_temp_path {{dir}}/uwsgi;
              scgi_temp_path {{dir}}/scgi;
              upstream api {
            {{servers}}    keepalive 32;
              }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://api;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_connect_timeout 1s;
                  add_header X-Upstream $upstream_addr always;
                }
              }
            }
            """);
    }

    private void WaitListening()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                probe.Connect(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
