using Crm.Modules.Customers.Contracts;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Customers.Features.Duplicates;

/// <summary>Query string of <c>GET /api/v1/customers/duplicates</c>: give at least one key.</summary>
/// <param name="Name">A customer name; compared without case, width, spaces, punctuation and legal-form suffixes (有限公司, Co., Ltd, ...).</param>
/// <param name="Phone">A phone number; compared on its digits without +86 / 0086 and the trunk 0.</param>
/// <param name="Email">An email address (case-insensitive).</param>
/// <param name="RegistrationNumber">A unified social credit code or resident ID number.</param>
/// <param name="ExceptId">Leave out this customer (the one being edited).</param>
internal sealed record CheckDuplicatesRequest(string? Name, string? Phone, string? Email, string? RegistrationNumber, Guid? ExceptId)
    : IRequest<DuplicateCheckResponse>;

/// <summary>Existing customers that may be the same party, the ones matching more keys first (at most 20).</summary>
/// <param name="Candidates">The candidates; empty when none.</param>
internal sealed record DuplicateCheckResponse(IReadOnlyList<DuplicateCandidateResponse> Candidates);

internal sealed class CheckDuplicatesValidator : AbstractValidator<CheckDuplicatesRequest>
{
    public CheckDuplicatesValidator()
    {
        RuleFor(r => r).Must(r => !string.IsNullOrWhiteSpace(r.Name) || !string.IsNullOrWhiteSpace(r.Phone)
                || !string.IsNullOrWhiteSpace(r.Email) || !string.IsNullOrWhiteSpace(r.RegistrationNumber))
            .WithName("name").OverridePropertyName("name")
            .WithMessage("Give at least one of name, phone, email or registrationNumber.");
        RuleFor(r => r.Name).MaximumLength(200);
        RuleFor(r => r.Phone).MaximumLength(50);
        RuleFor(r => r.Email).MaximumLength(254);
        RuleFor(r => r.RegistrationNumber).MaximumLength(18);
    }
}

internal sealed class CheckDuplicatesHandler(DuplicateGuard guard) : IRequestHandler<CheckDuplicatesRequest, DuplicateCheckResponse>
{
    public async Task<DuplicateCheckResponse> Handle(CheckDuplicatesRequest request, CancellationToken cancellationToken)
    {
        var keys = new CustomerDuplicateKeys(
            request.Name,
            request.Phone is { } phone ? [phone] : null,
            request.Email is { } email ? [email] : null,
            request.RegistrationNumber,
            request.ExceptId);
        return new DuplicateCheckResponse(await guard.FindAsync(keys, cancellationToken));
    }
}
