using Microsoft.Extensions.Options;

namespace Crm.Api.Hosting;

internal static class RateLimitingSetup
{
    public static IServiceCollection AddCrmRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        services.AddSingleton(sp => new RateLimitWindows(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<RateLimitingOptions>>().Value.LongestWindow));
        return services;
    }

    /// <summary>Counts requests per caller; place it after authentication (see <see cref="RateLimitingMiddleware"/>).</summary>
    public static IApplicationBuilder UseCrmRateLimiting(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled
            ? app.UseMiddleware<RateLimitingMiddleware>()
            : app;
}
