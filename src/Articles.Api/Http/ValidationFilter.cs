using FluentValidation;

namespace Articles.Api.Http;

// Runs the request's FluentValidation rules before the handler; a failure is a 400 listing every bad parameter.
// Synchronously: no rule does I/O, and FluentValidation's async pipeline costs more per request.
internal sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<T>().Single();
        var result = validator.Validate(request);
        return result.IsValid ? await next(context) : Problems.Invalid(result.ToDictionary());
    }
}
