using Crm.SharedKernel.Errors;
using FluentValidation;
using MediatR;

namespace Crm.SharedKernel.Messaging;

/// <summary>Runs every FluentValidation validator of the request; any failure becomes a 400 with field errors.</summary>
internal sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
{
    private readonly IValidator<TRequest>[] _validators = validators.ToArray();

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (_validators.Length == 0)
        {
            return await next();
        }

        var context = new ValidationContext<TRequest>(request);
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(context, cancellationToken);
            failures.AddRange(result.Errors);
        }

        if (failures.Count > 0)
        {
            throw ValidationFailedException.From(failures.Select(f => (f.PropertyName, f.ErrorMessage)));
        }

        return await next();
    }
}
