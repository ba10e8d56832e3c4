using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Customers.Features.Privacy;

/// <summary>Problems of personal-data export and erase, with stable types (listed in docs/modules/customers.md).</summary>
internal static class PrivacyProblems
{
    public const string NotAPersonType = ProblemTypes.BaseUri + "not-a-person";

    /// <summary>
    /// An organization is not a data subject: its record is company data, and erasing it would destroy the
    /// business record. The people at it are its contacts, which can be exported and erased one by one.
    /// </summary>
    public static void EnsurePerson(Customer customer)
    {
        if (customer.Kind != CustomerKind.Individual)
        {
            throw new BusinessRuleException(
                NotAPersonType,
                "Not a person",
                $"Customer '{customer.Id}' is an organization: personal data is exported and erased for individual customers and for contacts (export or erase the organization's contacts instead).");
        }
    }
}
