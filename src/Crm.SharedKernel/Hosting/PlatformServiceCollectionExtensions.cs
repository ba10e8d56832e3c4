using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Health;
using Crm.SharedKernel.Idempotency;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Crm.SharedKernel.Hosting;

public static class PlatformServiceCollectionExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>The building blocks every module relies on: clock, mediator, database, audit trail, outbox, idempotency, readiness.</summary>
    public static IServiceCollection AddCrmPlatformServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.TryAddSingleton<ICurrentActor, HttpCurrentActor>();
        services.AddCrmMessaging();
        services.AddCrmDatabase(configuration.GetConnectionString(DatabaseServiceCollectionExtensions.ConnectionStringName));
        services.AddScoped<IAuditLog, AuditLog>();

        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section)).Validate(
            o => o.BatchSize > 0 && o.MaxAttempts > 0 && o.ImmediateRetries >= 0 && o.PollInterval > TimeSpan.Zero,
            "Outbox: BatchSize, MaxAttempts and PollInterval must be positive, ImmediateRetries not negative.").ValidateOnStart();
        if (configuration.GetValue($"{OutboxOptions.Section}:{nameof(OutboxOptions.Enabled)}", defaultValue: true))
        {
            services.AddHostedService<OutboxProcessor>();
        }

        services.AddOptions<IdempotencyOptions>().Bind(configuration.GetSection(IdempotencyOptions.Section)).Validate(
            o => o.Lifetime > TimeSpan.Zero && o.AbandonedAfter > TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero,
            "Idempotency: Lifetime, AbandonedAfter and CleanupInterval must be positive.").ValidateOnStart();
        services.AddSingleton<IdempotencyStore>();
        services.AddHostedService<IdempotencyCleanupService>();

        services.AddHealthChecks().AddCheck<DatabaseReadyHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Adds <c>Idempotency-Key</c> handling for POST; place it after authentication.</summary>
    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();
}
