using Microsoft.OpenApi;

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
            o.CustomSchemaIds(SchemaId);
            o.OperationFilter<RateLimitResponsesOperationFilter>();
            foreach (var xml in Directory.EnumerateFiles(AppContext.BaseDirectory, "Crm.*.xml").Order(StringComparer.Ordinal))
            {
                o.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    /// <summary>Readable, unique schema ids: <c>Page&lt;CustomerItem&gt;</c> becomes <c>CustomerItemPage</c>.</summary>
    private static string SchemaId(Type type) => type.IsGenericType
        ? string.Concat(type.GetGenericArguments().Select(SchemaId)) + type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]
        : type.Name;
}
