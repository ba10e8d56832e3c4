namespace Crm.Api.Hosting;

/// <summary>HTTP surface settings (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Default request body limit; endpoints that take files (imports) raise it with their own metadata.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Serve <c>/swagger/v1/swagger.json</c> and Swagger UI at <c>/swagger</c>.</summary>
    public bool SwaggerEnabled { get; set; } = true;
}

/// <summary>Start-up database handling (section <c>Database</c>).</summary>
public sealed class DatabaseStartupOptions
{
    public const string Section = "Database";

    /// <summary>Apply migrations when the API starts (Development and tests); production runs the <c>migrate</c> command instead.</summary>
    public bool MigrateOnStartup { get; set; }

    /// <summary>How long start-up waits for PostgreSQL before failing with a clear message.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
