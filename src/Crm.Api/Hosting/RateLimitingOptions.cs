using System.Globalization;
using Microsoft.Extensions.Options;

namespace Crm.Api.Hosting;

/// <summary>
/// Per-caller request limits (section <c>RateLimiting</c>). Every instance counts on its own, so the
/// effective limit behind a load balancer is roughly the configured one times the number of instances.
/// </summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Each signed-in user (<c>user:{id}</c>).</summary>
    public RateLimitPolicy Users { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Each API key (<c>apiKey:{id}</c>): integrations run batch jobs, so they get more than a person.</summary>
    public RateLimitPolicy ApiKeys { get; set; } = new() { PermitLimit = 1200, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Unauthenticated callers, per client IP address (IPv6 per /64).</summary>
    public RateLimitPolicy Anonymous { get; set; } = new() { PermitLimit = 120, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Idle partitions are swept at this interval, so one outlives its last window by at most this long.</summary>
    internal TimeSpan LongestWindow => new[] { Users.Window, ApiKeys.Window, Anonymous.Window }.Max();
}

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class RateLimitPolicy
{
    public int PermitLimit { get; set; }

    /// <summary>Whole seconds, at least one: the <c>RateLimit-*</c> headers count in seconds.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>Refuses to start with a limit that would block everything or a window the headers cannot express.</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var failures = new List<string>();
        Check(nameof(RateLimitingOptions.Users), options.Users, failures);
        Check(nameof(RateLimitingOptions.ApiKeys), options.ApiKeys, failures);
        Check(nameof(RateLimitingOptions.Anonymous), options.Anonymous, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string kind, RateLimitPolicy? policy, List<string> failures)
    {
        var prefix = $"{RateLimitingOptions.Section}:{kind}";
        if (policy is null)
        {
            failures.Add($"{prefix} is missing; give it a PermitLimit and a Window.");
            return;
        }

        if (policy.PermitLimit <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}:PermitLimit must be positive (was {policy.PermitLimit})."));
        }

        if (policy.Window < TimeSpan.FromSeconds(1) || policy.Window.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}:Window must be a whole number of seconds, at least 00:00:01 (was {policy.Window:c})."));
        }
    }
}
