using Microsoft.AspNetCore.Http.HttpResults;

namespace Articles.Api.Http;

// Every error a client can get, as RFC 9457 problem details with a stable `code` to branch on.
internal static class Problems
{
    // Every code a client can get (OpenAPI lists them; the contract test fails on a code served but not listed).
    public static readonly string[] Codes =
    [
        "invalid-parameter", "invalid-cursor", "cursor-mismatch", "page-too-deep", "not-found", "gone", "api-key-required",
        "invalid-api-key", "api-key-revoked", "rate-limited", "not-ready", "database-unavailable", "unavailable", "invalid-request",
        "method-not-allowed", "internal-error", "error",
    ];

    public static string TypeFor(string code) => $"urn:articles-api:problem:{code}";

    public static string CodeFor(int status) => status switch
    {
        400 => "invalid-request",
        404 => "not-found",
        405 => "method-not-allowed",
        410 => "gone",
        429 => "rate-limited",
        503 => "unavailable",
        _ when status >= 500 => "internal-error",
        _ => "error",
    };

    public static ProblemHttpResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", "not-found", detail);

    public static ProblemHttpResult Gone(string detail) => Create(StatusCodes.Status410Gone, "Gone", "gone", detail);

    public static ProblemHttpResult Removed(Guid id) => Gone($"The article {id} was removed by its publisher.");

    public static ProblemHttpResult BadRequest(string code, string title, string detail) =>
        Create(StatusCodes.Status400BadRequest, title, code, detail);

    public static ProblemHttpResult InvalidCursor(string whatToDo) =>
        BadRequest("invalid-cursor", "Invalid cursor", $"The cursor is not one this API issued (it may be truncated). {whatToDo}");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(
        errors,
        detail: "One or more query parameters are not valid; see errors.",
        title: "Invalid parameters",
        type: TypeFor("invalid-parameter"),
        extensions: new Dictionary<string, object?> { ["code"] = "invalid-parameter" });

    public static ValidationProblem Invalid(string parameter, string message) => Invalid(new Dictionary<string, string[]> { [parameter] = [message] });

    public static ProblemHttpResult Create(int status, string title, string code, string detail) => TypedResults.Problem(
        detail: detail, statusCode: status, title: title, type: TypeFor(code),
        extensions: new Dictionary<string, object?> { ["code"] = code });
}
