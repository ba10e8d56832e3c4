using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Crm.Api.Hosting;

/// <summary>
/// Query parameters under their wire names (camelCase, as bound case-insensitively), and the security
/// requirement (bearer token or API key) on every operation that needs an authenticated caller.
/// </summary>
internal sealed class CrmOperationFilter : IOperationFilter
{
    public const string BearerScheme = "Bearer";
    public const string ApiKeyScheme = "ApiKey";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query && p.Name is not null))
        {
            parameter.Name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
        }

        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
    }
}

/// <summary>Documents <c>Optional&lt;T&gt;</c> (a merge-patch member) as plain <c>T</c>, which is what goes over the wire.</summary>
internal sealed class OptionalUnwrappingDataContractResolver(ISerializerDataContractResolver inner) : ISerializerDataContractResolver
{
    public DataContract GetDataContractForType(Type type) =>
        inner.GetDataContractForType(
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Crm.SharedKernel.Http.Optional<>) ? type.GetGenericArguments()[0] : type);
}

/// <summary>The problem responses the filters add: <c>application/problem+json</c>, as the API answers every error.</summary>
internal static class ProblemResponses
{
    public static OpenApiResponse Create(OperationFilterContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            ["application/problem+json"] = new() { Schema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository) },
        },
    };
}
