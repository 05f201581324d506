import { A4B_OPERATIONS, closestNames, isA4bOperation, operationCliNames, operationFromKebab, pascalToKebab } from '../../../../cloud-link/cloud/http/operations.js';

describe('operation names', () => {
  test('PascalCase to the AWS CLI kebab-case, acronyms kept together', () => {
    expect(pascalToKebab('CreateProfile')).toBe('create-profile');
    expect(pascalToKebab('AssociateSkillGroupWithRoom')).toBe('associate-skill-group-with-room');
    expect(pascalToKebab('PSTNEnabled')).toBe('pstn-enabled');
    expect(pascalToKebab('DeviceArn')).toBe('device-arn');
    expect(pascalToKebab('MaxVolumeLimit')).toBe('max-volume-limit');
  });

  test('every operation round-trips through its CLI name, and the list is the one the service implements', () => {
    expect(A4B_OPERATIONS).toHaveLength(42);
    expect(new Set(operationCliNames()).size).toBe(42);
    for (const op of A4B_OPERATIONS) expect(operationFromKebab(pascalToKebab(op))).toBe(op);
    expect(operationFromKebab('start-device-sync')).toBe('StartDeviceSync');
    expect(operationFromKebab('flash-device')).toBe('FlashDevice');
    expect(operationFromKebab('delete-device-usage-data')).toBe('DeleteDeviceUsageData');
    expect(operationFromKebab('list-bookings')).toBe('ListBookings');
    expect(operationFromKebab('CreateProfile')).toBeUndefined();
    expect(isA4bOperation('SendAnnouncement')).toBe(true);
    expect(isA4bOperation('ListTables')).toBe(false);
  });

  test('did-you-mean suggestions', () => {
    expect(closestNames('get-profle', operationCliNames())).toEqual(['get-profile']);
    expect(closestNames('create-rooms', operationCliNames())[0]).toBe('create-room');
    expect(closestNames('launch-rocket', operationCliNames())).toEqual([]);
  });
});
