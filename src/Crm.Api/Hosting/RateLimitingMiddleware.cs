using System.Globalization;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Crm.Api.Hosting;

/// <summary>
/// Per-caller fixed-window limits (<see cref="RateLimitingOptions"/>): users and API keys by their id,
/// anonymous callers by client address. Every response of a limited endpoint carries
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c> and <c>RateLimit-Policy</c>
/// (draft-ietf-httpapi-ratelimit-headers); a request over the limit gets 429 <c>too-many-requests</c>
/// with <c>Retry-After</c> and never reaches the endpoint. Endpoints with
/// <see cref="DisableRateLimitingAttribute"/> metadata (<c>.DisableRateLimiting()</c>, as the health
/// endpoints have) are not counted. Must run after authentication: the partition is the caller.
/// </summary>
internal sealed partial class RateLimitingMiddleware(
    RequestDelegate next,
    RateLimitWindows windows,
    ICurrentActor actor,
    IOptions<RateLimitingOptions> options,
    IProblemDetailsService problemDetails,
    ILogger<RateLimitingMiddleware> logger)
{
    private readonly RateLimitingOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            await next(context);
            return;
        }

        var partition = RateLimitPartition.For(actor, context.Connection.RemoteIpAddress, _options);
        var decision = windows.Acquire(partition.Key, partition.Policy);

        // Written when the response starts rather than now: the exception handler clears the headers of a
        // failed request before it writes the problem document, and the headers belong on that one too.
        context.Response.OnStarting(
            static state =>
            {
                var (response, decision) = ((HttpResponse, RateLimitDecision))state;
                WriteHeaders(response.Headers, decision);
                return Task.CompletedTask;
            },
            (context.Response, decision));

        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        if (decision.FirstRefusal)
        {
            LogLimitReached(logger, partition.Key, partition.Policy.PermitLimit, partition.Policy.Window);
        }

        // Written here, not thrown: refusals are what a flooding client gets, so they stay cheap.
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Type = ProblemTypes.TooManyRequests,
            Title = "Too many requests",
            Detail = string.Create(
                CultureInfo.InvariantCulture,
                $"The limit of {partition.Policy.PermitLimit} requests per {Describe(partition.Policy.Window)} is used up; retry after {Quantity(decision.ResetSeconds, "second")}."),
        };
        if (!await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            // The client's Accept excluded JSON; the status code and headers still tell it what happened.
            await TypedResults.Problem(problem).ExecuteAsync(context);
        }
    }

    internal static void WriteHeaders(IHeaderDictionary headers, RateLimitDecision decision)
    {
        var limit = decision.Policy.PermitLimit.ToString(CultureInfo.InvariantCulture);
        var reset = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Limit"] = limit;
        headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = reset;
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"{limit};w={(long)decision.Policy.Window.TotalSeconds}");
        if (!decision.Allowed)
        {
            headers.RetryAfter = reset;
        }
    }

    /// <summary>The window in words for the problem detail: "1 minute", "90 seconds", "2 hours".</summary>
    internal static string Describe(TimeSpan window)
    {
        var (count, unit) = window switch
        {
            _ when window.Ticks % TimeSpan.TicksPerHour == 0 => ((long)window.TotalHours, "hour"),
            _ when window.Ticks % TimeSpan.TicksPerMinute == 0 => ((long)window.TotalMinutes, "minute"),
            _ => ((long)window.TotalSeconds, "second"),
        };
        return Quantity(count, unit);
    }

    private static string Quantity(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Rate limit reached for {Partition}: {PermitLimit} requests per {Window}")]
    private static partial void LogLimitReached(ILogger logger, string partition, int permitLimit, TimeSpan window);
}
