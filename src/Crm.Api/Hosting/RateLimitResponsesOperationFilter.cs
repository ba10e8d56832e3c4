using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Crm.Api.Hosting;

/// <summary>
/// Documents the 429 that every rate-limited operation can return, with its headers, so that module
/// endpoints do not each have to declare it and clients generated from the contract expect it.
/// </summary>
internal sealed class RateLimitResponsesOperationFilter(IOptions<RateLimitingOptions> options) : IOperationFilter
{
    public const string StatusCode = "429";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!options.Value.Enabled
            || context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            return;
        }

        operation.Responses ??= [];
        if (operation.Responses.ContainsKey(StatusCode))
        {
            return;
        }

        var response = ProblemResponses.Create(
            context,
            "Too many requests: the caller's rate limit for the current window is used up (type too-many-requests). " +
            "Retry after Retry-After seconds; the request was not processed.");
        response.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
        {
            ["Retry-After"] = IntegerHeader("Seconds to wait before sending again (equal to RateLimit-Reset)."),
            ["RateLimit-Limit"] = IntegerHeader("Requests allowed per window."),
            ["RateLimit-Remaining"] = IntegerHeader("Requests left in the current window: 0."),
            ["RateLimit-Reset"] = IntegerHeader("Seconds until the window ends."),
        };
        operation.Responses[StatusCode] = response;
    }

    private static OpenApiHeader IntegerHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
}
