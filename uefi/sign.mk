# Secure Boot signing of the loader (tools/sign-efi.sh, sbsigntool).
#   make sign KEY=db.key CERT=db.pem    -> $(BUILD)/BOOTX64.signed.EFI
#   make esp|iso SIGN_KEY=... SIGN_CERT=...  the images carry the signed loader
# An encrypted key's passphrase: SIGN_PASS_FILE=<file> (preferred), or
# SIGN_PASS exported in the environment (never as a make argument: that
# would put it in the process list). See docs/SECURITY.md.
KEY  ?= $(SIGN_KEY)
CERT ?= $(SIGN_CERT)
SIGN_EFI := $(BUILD)/BOOTX64.signed.EFI

.PHONY: sign
sign:
	@[ -n "$(KEY)" ] && [ -n "$(CERT)" ] || { echo "make sign: give KEY=<key.pem> CERT=<cert.pem>" >&2; exit 2; }
	$(Q)$(MAKE) --no-print-directory $(BUILD)/BOOTX64.EFI
	$(Q)tools/sign-efi.sh $(KEY) $(CERT) $(BUILD)/BOOTX64.EFI $(SIGN_EFI)

# The loader esp.img carries; the stamp holds its name so switching between
# signed and unsigned rebuilds the image.
ifneq ($(SIGN_KEY),)
ESP_EFI := $(SIGN_EFI)
$(SIGN_EFI): $(BUILD)/BOOTX64.EFI tools/sign-efi.sh FORCE
	$(quiet) SIGN $@
	$(Q)tools/sign-efi.sh $(SIGN_KEY) $(SIGN_CERT) $< $@
else
ESP_EFI := $(BUILD)/BOOTX64.EFI
endif

$(BUILD)/.esp-loader: FORCE
	@mkdir -p $(dir $@)
	@echo "$(ESP_EFI) $(SIGN_CERT)" | cmp -s - $@ || echo "$(ESP_EFI) $(SIGN_CERT)" > $@
