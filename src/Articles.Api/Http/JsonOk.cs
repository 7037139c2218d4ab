using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Articles.Api.Http;

// TypedResults.Ok through ApiJson's generated writer. System.Text.Json skips that fast path whenever the options carry
// an Encoder (ours keeps non-ASCII text as itself), so here the encoder is the writer's and the options are ApiJson's own.
// Fields: the members a request picked (fields=), written by the field set instead.
internal sealed class JsonOk<T>(T value, FieldSet? fields = null) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
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
            if (fields is null)
            {
                JsonSerializer.Serialize(writer, value, Info);
            }
            else
            {
                fields.Write(writer, value);
            }
        }
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

internal static class JsonOk
{
    public static JsonOk<T> Of<T>(T value, FieldSet? fields = null) => new(value, fields);
}
