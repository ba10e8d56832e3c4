using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Errors;
using FluentValidation;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>
/// The rules of a customer's editable fields, checked on the complete new state: a create's body, or a merge
/// patch applied to the current record. The property names match the request members, so the field errors
/// name exactly what the client sent.
/// </summary>
internal sealed class CustomerDetailsValidator : AbstractValidator<CustomerState>
{
    public const int MaxPhones = 10;
    public const int MaxEmails = 10;
    public const int MaxTags = 30;

    public CustomerDetailsValidator()
    {
        RuleFor(s => s.Details.Name).NotEmpty().MaximumLength(200).OverridePropertyName("name");
        RuleFor(s => s.Details.ShortName).MaximumLength(100).OverridePropertyName("shortName");
        RuleFor(s => s.Details.ExternalId).MaximumLength(100).OverridePropertyName("externalId");
        RuleFor(s => s.Details.RegistrationNumber)
            .Must(CustomerIdentifiers.IsValidCreditCode!)
            .When(s => s.Kind == CustomerKind.Organization && !string.IsNullOrWhiteSpace(s.Details.RegistrationNumber))
            .WithMessage("registrationNumber must be an 18-character unified social credit code (统一社会信用代码, GB 32100-2015): digits and capital letters except I, O, Z, S and V, with a valid check character.")
            .OverridePropertyName("registrationNumber");
        RuleFor(s => s.Details.RegistrationNumber)
            .Must(CustomerIdentifiers.IsValidIdNumber!)
            .When(s => s.Kind == CustomerKind.Individual && !string.IsNullOrWhiteSpace(s.Details.RegistrationNumber))
            .WithMessage("registrationNumber must be an 18-character resident ID number (居民身份证号码): 17 digits with a valid birth date, then the ISO 7064 MOD 11-2 check digit (0-9 or X).")
            .OverridePropertyName("registrationNumber");
        RuleFor(s => s.Details.Industry).MaximumLength(100).OverridePropertyName("industry");
        RuleFor(s => s.Details.SourceChannel).MaximumLength(50).OverridePropertyName("sourceChannel");
        RuleFor(s => s.Details.Province).MaximumLength(50).OverridePropertyName("province");
        RuleFor(s => s.Details.City).MaximumLength(50).OverridePropertyName("city");
        RuleFor(s => s.Details.District).MaximumLength(50).OverridePropertyName("district");
        RuleFor(s => s.Details.Address).MaximumLength(300).OverridePropertyName("address");
        RuleFor(s => s.Details.Website).MaximumLength(300).OverridePropertyName("website");
        RuleFor(s => s.Details.Tier).MaximumLength(20).OverridePropertyName("tier");
        RuleFor(s => s.Details.CreditRating).MaximumLength(10).OverridePropertyName("creditRating");

        RuleFor(s => s.Details.Phones).Must(p => p.Count <= MaxPhones).WithMessage($"At most {MaxPhones} phones.").OverridePropertyName("phones");
        RuleForEach(s => s.Details.Phones).Must(BeAPhone)
            .WithMessage("'{PropertyValue}' is not a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and parentheses.")
            .OverridePropertyName("phones");
        RuleFor(s => s.Details.Emails).Must(e => e.Count <= MaxEmails).WithMessage($"At most {MaxEmails} emails.").OverridePropertyName("emails");
        RuleForEach(s => s.Details.Emails).NotEmpty().MaximumLength(254).EmailAddress().OverridePropertyName("emails");
        RuleFor(s => s.Details.Tags).Must(t => t.Count <= MaxTags).WithMessage($"At most {MaxTags} tags.").OverridePropertyName("tags");
        RuleForEach(s => s.Details.Tags).NotEmpty().MaximumLength(50).OverridePropertyName("tags");

        RuleFor(s => s.Details.CreditLimit).GreaterThanOrEqualTo(0).PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("creditLimit");
        RuleFor(s => s.Details.OutstandingBalance).PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("outstandingBalance");
    }

    /// <summary>Validates and throws the 400 the validation behavior would.</summary>
    public async Task EnsureValidAsync(CustomerState state, CancellationToken ct)
    {
        var result = await ValidateAsync(state, ct);
        if (!result.IsValid)
        {
            throw ValidationFailedException.From(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)));
        }
    }

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

/// <summary>What is validated: the kind (it decides which identifier is expected; null when missing) and the editable fields.</summary>
internal sealed record CustomerState(CustomerKind? Kind, CustomerDetails Details);
