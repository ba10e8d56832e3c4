using System.Text.Json;
using Crm.SharedKernel.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Api.Hosting;

/// <summary>
/// Turns every exception into RFC 9457 problem details. Expected failures keep their status and type;
/// anything unexpected is a 500 without internals (the exception text is added only in Development).
/// </summary>
internal sealed partial class CrmExceptionHandler(IProblemDetailsService problemDetails, IHostEnvironment environment, ILogger<CrmExceptionHandler> logger)
    : IExceptionHandler
{
    public const int ClientClosedRequest = 499;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.Response.StatusCode = ClientClosedRequest;
            return true;
        }

        var problem = Map(httpContext, exception);
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is ProblemException { Headers.Count: > 0 } withHeaders)
        {
            foreach (var (name, value) in withHeaders.Headers)
            {
                httpContext.Response.Headers[name] = value;
            }
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        var written = await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
        if (!written)
        {
            // The client's Accept excluded JSON; the status code alone still tells it what happened.
            await TypedResults.Problem(problem).ExecuteAsync(httpContext);
        }

        return true;
    }

    private ProblemDetails Map(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case ProblemException known:
                var problem = Problem(known.Status, known.Type, known.Title, known.Message);
                foreach (var (name, value) in known.Extensions)
                {
                    problem.Extensions[name] = value;
                }

                return problem;

            case BadHttpRequestException { InnerException: JsonException json }:
                return MalformedJson(json);

            case JsonException json:
                return MalformedJson(json);

            case BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } badRequest:
                return BindingFailure(badRequest);

            case BadHttpRequestException badRequest:
                return Problem(badRequest.StatusCode, ProblemTypes.ForStatus(badRequest.StatusCode), TitleFor(badRequest.StatusCode), badRequest.Message);

            case DbUpdateConcurrencyException when context.Request.Headers.IfMatch.Count > 0:
                return Problem(412, ProblemTypes.PreconditionFailed, "Precondition failed", "The resource was changed by another request; fetch it again and retry with the new ETag.");

            case DbUpdateConcurrencyException:
                return Problem(409, ProblemTypes.ConcurrencyConflict, "Concurrent update", "The resource was changed by another request at the same time; fetch it again and retry.");

            case DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } }:
                return Problem(409, ProblemTypes.Conflict, "Conflict", "A record with the same unique value already exists.");

            // Set-based statements (imports, bulk actions) run through Npgsql directly: a concurrent writer that inserted the
            // same unique value first surfaces as the bare server error. The statement's transaction rolled back; a retry is safe.
            case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                return Problem(409, ProblemTypes.Conflict, "Conflict", "A concurrent request wrote the same unique value first; nothing of this statement was kept, retry it.");

            case DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } }:
                return Problem(409, ProblemTypes.Conflict, "Conflict", "The change refers to a record that does not exist, or is still referred to.");

            case DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.StringDataRightTruncation } }:
                return Problem(400, ProblemTypes.Validation, "Validation failed", "A value is longer than its field allows.");

            case var _ when IsTransientDatabaseFailure(exception):
                LogTransient(logger, exception);
                return Problem(503, ProblemTypes.ServiceUnavailable, "Service unavailable", "The database is temporarily unavailable; retry shortly.");

            default:
                LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
                var internalError = Problem(500, ProblemTypes.InternalError, "Internal server error", "An unexpected error occurred; quote the traceId when reporting it.");
                if (environment.IsDevelopment())
                {
                    internalError.Extensions["exception"] = exception.ToString();
                }

                return internalError;
        }
    }

    /// <summary>Npgsql marks network and server-availability failures transient; EF wraps them (DbUpdateException, execution strategy).</summary>
    private static bool IsTransientDatabaseFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true } or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Route, query and header binding failures, reworded for API users with the parameter named in <c>errors</c>.</summary>
    private static ProblemDetails BindingFailure(BadHttpRequestException exception)
    {
        var failedParameter = FailedToBind().Match(exception.Message);
        if (failedParameter.Success)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(failedParameter.Groups["name"].Value);
            var message = $"'{failedParameter.Groups["value"].Value}' is not a valid value for '{name}'.";
            var problem = Problem(400, ProblemTypes.Validation, "Validation failed", message);
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [name] = [message] };
            return problem;
        }

        if (exception.Message.Contains("was not provided from body", StringComparison.Ordinal)
            || exception.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal))
        {
            return Problem(400, ProblemTypes.MalformedJson, "Malformed JSON", "This operation needs a JSON request body.");
        }

        var required = RequiredParameter().Match(exception.Message);
        if (required.Success)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(required.Groups["name"].Value);
            var message = $"'{name}' is required.";
            var problem = Problem(400, ProblemTypes.Validation, "Validation failed", message);
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [name] = [message] };
            return problem;
        }

        return Problem(400, ProblemTypes.BadRequest, "Bad request", exception.Message);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"[^\"]*? (?<name>\\w+)\" from \"(?<value>.*)\"\\.?$")]
    private static partial System.Text.RegularExpressions.Regex FailedToBind();

    [System.Text.RegularExpressions.GeneratedRegex("^Required parameter \"[^\"]*? (?<name>\\w+)\" was not provided")]
    private static partial System.Text.RegularExpressions.Regex RequiredParameter();

    private static ProblemDetails MalformedJson(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.TrimStart('$').TrimStart('.');
        var where = path is null ? string.Empty : $" at '{path}'";
        var line = json.LineNumber is long l ? $" (line {l + 1}, byte {json.BytePositionInLine + 1})" : string.Empty;
        var problem = Problem(400, ProblemTypes.MalformedJson, "Malformed JSON", $"The request body is not valid JSON for this operation{where}{line}: check syntax, value types and enum names.");
        if (path is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [path] = ["The value is not valid for this field."] };
        }

        return problem;
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail) =>
        new() { Status = status, Type = type, Title = title, Detail = detail };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };

    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Transient database failure")]
    private static partial void LogTransient(ILogger logger, Exception exception);
}
