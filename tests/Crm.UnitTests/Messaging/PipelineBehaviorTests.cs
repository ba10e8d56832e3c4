using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Messaging;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.UnitTests.Messaging;

internal sealed record Rename(string Name, Rename.AddressPart? Address) : IRequest<string>
{
    internal sealed record AddressPart(string City);
}

internal sealed class RenameValidator : AbstractValidator<Rename>
{
    public RenameValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name is required.");
        RuleFor(r => r.Address!.City).NotEmpty().When(r => r.Address is not null).WithMessage("City is required.");
    }
}

internal sealed class RenameHandler : IRequestHandler<Rename, string>
{
    public static int Calls;

    public Task<string> Handle(Rename request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(request.Name.ToUpperInvariant());
    }
}

internal sealed class PipelineBehaviorTests
{
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose()
        {
        }

        private sealed class Logger(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (messages)
                {
                    messages.Add(formatter(state, exception));
                }
            }
        }
    }

    private static (IMediator Mediator, CapturingLoggerProvider Logs) Build()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddCrmMessaging()
            .AddHandlersFromAssembly(typeof(PipelineBehaviorTests).Assembly);
        return (services.BuildServiceProvider().CreateScope().ServiceProvider.GetRequiredService<IMediator>(), logs);
    }

    [Test]
    public async Task A_valid_request_reaches_its_handler_and_is_logged_with_elapsed_time()
    {
        var (mediator, logs) = Build();

        var result = await mediator.Send(new Rename("acme", null));

        Assert.That(result, Is.EqualTo("ACME"));
        Assert.That(logs.Messages, Has.Some.Matches<string>(m => m.StartsWith("Handled Rename in ", StringComparison.Ordinal) && m.EndsWith(" ms", StringComparison.Ordinal)));
    }

    [Test]
    public void An_invalid_request_never_reaches_its_handler_and_fails_with_camel_case_field_errors()
    {
        var (mediator, logs) = Build();
        var before = RenameHandler.Calls;

        var error = Assert.ThrowsAsync<ValidationFailedException>(() => mediator.Send(new Rename("", new Rename.AddressPart(""))))!;

        Assert.Multiple(() =>
        {
            Assert.That(RenameHandler.Calls, Is.EqualTo(before));
            Assert.That(error.Status, Is.EqualTo(400));
            Assert.That(error.Errors["name"], Is.EqualTo(new[] { "Name is required." }));
            Assert.That(error.Errors["address.city"], Is.EqualTo(new[] { "City is required." }));
            Assert.That(logs.Messages, Has.Some.Contains("Rename failed after"));
        });
    }
}
