using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Articles.Api.Http;

// TypedResults.Ok through ApiJson's generated writer. System.Text.Json skips that fast path whenever the options carry
// an Encoder (ours keeps non-ASCII text as itself), so here the encoder is the writer's and the options are ApiJson's own.
// Options (a sparse field set's) replace ApiJson's own.
internal sealed class JsonOk<T>(T value, JsonSerializerOptions? options = null) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    private static readonly JsonTypeInfo<T> Info = (JsonTypeInfo<T>)ApiJson.Default.GetTypeInfo(typeof(T))!;

    public T Value => value;
    object? IValueHttpResult.Value => value;
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(http.Response.BodyWriter, ApiJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, options is null ? Info : (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

internal static class JsonOk
{
    public static JsonOk<T> Of<T>(T value, FieldSet? fields = null) => new(value, fields?.Options);
}
