using Crm.SharedKernel.Hosting;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Crm.Api.Hosting;

/// <summary>
/// OpenTelemetry traces and metrics (ASP.NET Core, HttpClient, Npgsql), exported when
/// <c>Telemetry:Exporter</c> is <c>otlp</c> (endpoint from the standard <c>OTEL_EXPORTER_OTLP_*</c>
/// variables) or <c>console</c>; <c>none</c> (the default) adds nothing to the request path.
/// </summary>
internal static class TelemetrySetup
{
    public static IServiceCollection AddCrmTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var exporter = (configuration["Telemetry:Exporter"] ?? "none").Trim().ToLowerInvariant();
        if (exporter == "none")
        {
            return services;
        }

        if (exporter is not ("otlp" or "console"))
        {
            throw new StartupException($"Telemetry:Exporter must be none, otlp or console (was '{exporter}').");
        }

        var serviceName = configuration["Telemetry:ServiceName"] ?? "crm-api";
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql();
                if (exporter == "otlp")
                {
                    tracing.AddOtlpExporter();
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter("Npgsql");
                if (exporter == "otlp")
                {
                    metrics.AddOtlpExporter();
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            });
        return services;
    }
}
