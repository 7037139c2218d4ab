using Articles.Api.Http;
using Microsoft.OpenApi;

namespace Articles.Api;

internal static class OpenApiExtensions
{
    public static void AddArticlesOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Articles API",
                Version = "v1",
                Description = "News articles as paged, filterable, searchable JSON. Errors are application/problem+json " +
                    "(RFC 9457) with a stable `code`.",
            });
            options.OperationFilter<ParameterDocsFilter>();
            // A stable order, so the committed openapi.json changes only when the API does.
            options.OrderActionsBy(api => $"{api.RelativePath}|{api.HttpMethod}");
        });
    }

    public static void UseArticlesOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "Articles API v1"));
    }
}
