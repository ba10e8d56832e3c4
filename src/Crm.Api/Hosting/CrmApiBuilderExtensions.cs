using System.Diagnostics;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Hosting;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;

namespace Crm.Api.Hosting;

/// <summary>The host's composition: platform services, HTTP conventions and the middleware order.</summary>
internal static class CrmApiBuilderExtensions
{
    public const string ApiVersionGroup = "v1";

    /// <summary>Every API response names the versions this server speaks, as clients of the earlier versioning library expect.</summary>
    private const string SupportedVersionsHeader = "api-supported-versions";

    private const string SupportedVersions = "1.0";

    private static readonly PathString ApiBasePath = new("/api");

    public static WebApplicationBuilder AddCrmApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section))
            .Validate(o => o.MaxRequestBodyBytes > 0, "Api:MaxRequestBodyBytes must be positive.").ValidateOnStart();
        services.AddOptions<DatabaseStartupOptions>().Bind(configuration.GetSection(DatabaseStartupOptions.Section));
        services.AddCrmPlatformServices(configuration);
        services.AddCrmRateLimiting(configuration);

        services.ConfigureHttpJsonOptions(o => JsonSetup.Configure(o.SerializerOptions));
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => JsonSetup.Configure(o.JsonSerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // The per-endpoint limit is enforced by RequestBodyLimitMiddleware; the server-wide one must not undercut it.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = null);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                problem.Type = ProblemTypes.ForStatus(status);
            }

            problem.Detail ??= DefaultDetail(context.HttpContext, status);
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<CrmExceptionHandler>();

        services.AddAuthorization();
        services.AddEndpointsApiExplorer();
        services.AddCrmOpenApi();
        services.AddCrmTelemetry(configuration);
        return builder;
    }

    public static WebApplication UseCrmApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.SwaggerEnabled)
        {
            app.UseSwagger();
            app.UseSwaggerUI(o =>
            {
                o.SwaggerEndpoint($"/swagger/{ApiVersionGroup}/swagger.json", "CRM API v1");
                o.RoutePrefix = "swagger";
                o.DocumentTitle = "CRM API";
            });
        }

        app.Use(static (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(ApiBasePath, StringComparison.Ordinal))
            {
                context.Response.Headers[SupportedVersionsHeader] = SupportedVersions;
            }

            return next(context);
        });
        app.UseRouting();
        // Authentication before the rate limiter, which partitions on the authenticated caller; authorization
        // after it, so requests refused with 401/403 (guessed credentials) count against a budget too.
        app.UseAuthentication();
        app.UseCrmRateLimiting();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthorization();
        app.UseIdempotencyKeys();
        return app;
    }

    public static WebApplication MapCrmEndpoints(this WebApplication app)
    {
        // Probes are exempt from rate limits: a throttled probe would take a healthy instance out of rotation.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync })
            .DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(PlatformServiceCollectionExtensions.ReadyTag),
            ResponseWriter = HealthResponse.WriteAsync,
        }).DisableRateLimiting();

        // Secure by default: every API endpoint needs an authenticated caller unless it opts out (sign-in).
        // The version is a literal path prefix (ADR 0033): another major version would be another group beside it.
        var api = app.MapGroup($"/api/{ApiVersionGroup}")
            .WithGroupName(ApiVersionGroup)
            .RequireAuthorization();
        foreach (var module in app.Services.GetServices<ModuleEndpoints>())
        {
            module.Map(api);
        }

        return app;
    }

    private static string DefaultDetail(HttpContext context, int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Sign in first: send Authorization: Bearer <access token> (POST /api/v1/auth/token) or X-Api-Key: <key>.",
        StatusCodes.Status403Forbidden => "Your role or API key scopes do not allow this operation.",
        StatusCodes.Status404NotFound => $"No resource at {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}; see the Allow header.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        _ => ReasonPhrase(status),
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "Request failed.";
}
