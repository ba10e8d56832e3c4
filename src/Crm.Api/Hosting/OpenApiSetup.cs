using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Crm.Api.Hosting;

internal static class OpenApiSetup
{
    public static IServiceCollection AddCrmOpenApi(this IServiceCollection services)
    {
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(CrmApiBuilderExtensions.ApiVersionGroup, new OpenApiInfo
            {
                Title = "CRM API",
                Version = "v1",
                Description =
                    "Customer relationship management (客户关系管理) REST API. Conventions: docs/api-guide.md. " +
                    "Errors are RFC 9457 problem details; lists are keyset-paginated (limit, cursor, nextCursor); " +
                    "writes honour If-Match and Idempotency-Key.",
            });
            o.SupportNonNullableReferenceTypes();
            o.AddSecurityDefinition(CrmOperationFilter.BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /api/v1/auth/token.",
            });
            o.AddSecurityDefinition(CrmOperationFilter.ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An integration's API key (crm_<prefix>_<secret>), limited to its scopes.",
            });
            o.OperationFilter<CrmOperationFilter>();
            o.CustomSchemaIds(SchemaId);
            o.OperationFilter<RateLimitResponsesOperationFilter>();
            o.OperationFilter<HttpHeadersOperationFilter>();
            o.DocumentFilter<HttpHeadersOperationFilter>();
            foreach (var xml in Directory.EnumerateFiles(AppContext.BaseDirectory, "Crm.*.xml").Order(StringComparer.Ordinal))
            {
                o.IncludeXmlComments(xml);
            }
        });
        services.AddTransient<ISerializerDataContractResolver>(provider => new OptionalUnwrappingDataContractResolver(
            new JsonSerializerDataContractResolver(provider.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)));
        return services;
    }

    /// <summary>Readable, unique schema ids: <c>Page&lt;CustomerItem&gt;</c> becomes <c>CustomerItemPage</c>.</summary>
    private static string SchemaId(Type type) => type.IsGenericType
        ? string.Concat(type.GetGenericArguments().Select(SchemaId)) + type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]
        : type.Name;
}
