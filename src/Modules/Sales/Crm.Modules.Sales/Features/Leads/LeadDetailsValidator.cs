using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using FluentValidation;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>
/// The rules of a lead's editable fields, checked on the complete new state (a create's body, or a merge patch
/// applied to the current lead), so the field errors name what the client sent.
/// </summary>
internal sealed class LeadDetailsValidator : AbstractValidator<LeadDetails>
{
    public const int MaxPhones = 10;
    public const int MaxEmails = 10;

    public LeadDetailsValidator()
    {
        RuleFor(d => d.CompanyName).NotEmpty().When(d => string.IsNullOrWhiteSpace(d.PersonName))
            .WithMessage("companyName or personName is required.").OverridePropertyName("companyName");
        RuleFor(d => d.CompanyName).MaximumLength(200).OverridePropertyName("companyName");
        RuleFor(d => d.PersonName).MaximumLength(100).OverridePropertyName("personName");
        RuleFor(d => d.Title).MaximumLength(100).OverridePropertyName("title");
        RuleFor(d => d.Source).MaximumLength(50).OverridePropertyName("source");
        RuleFor(d => d.Province).MaximumLength(50).OverridePropertyName("province");
        RuleFor(d => d.City).MaximumLength(50).OverridePropertyName("city");
        RuleFor(d => d.City).Empty().When(d => string.IsNullOrWhiteSpace(d.Province))
            .WithMessage("city needs a province.").OverridePropertyName("city");
        RuleFor(d => d.Industry).MaximumLength(100).OverridePropertyName("industry");
        RuleFor(d => d.Notes).MaximumLength(4000).OverridePropertyName("notes");
        RuleFor(d => d.Score).InclusiveBetween(0, 100).OverridePropertyName("score");
        RuleFor(d => d.EstimatedValue).GreaterThanOrEqualTo(0).PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("estimatedValue");
        RuleFor(d => d.Currency).Matches("^[A-Za-z]{3}$").When(d => d.Currency is not null)
            .WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency");

        RuleFor(d => d.Phones).Must(p => p.Count <= MaxPhones).WithMessage($"At most {MaxPhones} phones.").OverridePropertyName("phones");
        RuleForEach(d => d.Phones).Must(BeAPhone)
            .WithMessage("'{PropertyValue}' is not a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and parentheses.")
            .OverridePropertyName("phones");
        RuleFor(d => d.Emails).Must(e => e.Count <= MaxEmails).WithMessage($"At most {MaxEmails} emails.").OverridePropertyName("emails");
        RuleForEach(d => d.Emails).NotEmpty().MaximumLength(254).EmailAddress().OverridePropertyName("emails");
    }

    /// <summary>Validates and throws the 400 the validation behavior would.</summary>
    public async Task EnsureValidAsync(LeadDetails details, CancellationToken ct)
    {
        var result = await ValidateAsync(details, ct);
        if (!result.IsValid)
        {
            throw ValidationFailedException.From(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)));
        }
    }

    // The same rule as customers' phones, so a lead's numbers survive conversion.
    internal static bool BeAPhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone) || phone.Length > 30)
        {
            return false;
        }

        var trimmed = phone.Trim();
        var body = trimmed.StartsWith('+') ? trimmed[1..] : trimmed;
        var digits = body.Count(char.IsAsciiDigit);
        return body.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '(' or ')') && digits is >= 5 and <= 20;
    }
}
