using System.Diagnostics;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Crm.SharedKernel.Messaging;

/// <summary>Logs every request with its name, outcome and elapsed time as structured fields.</summary>
internal sealed partial class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly string RequestName = typeof(TRequest).Name;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next();
            LogHandled(logger, RequestName, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, RequestName, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Handled {RequestName} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string requestName, double elapsedMilliseconds);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{RequestName} failed after {ElapsedMilliseconds:0.0} ms with {ExceptionType}")]
    private static partial void LogFailed(ILogger logger, string requestName, double elapsedMilliseconds, string exceptionType);
}
