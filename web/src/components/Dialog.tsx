// A modal dialog on the native <dialog> element: focus moves into it and is trapped, Escape
// cancels, and focus returns to the control that opened it. The body is a <form>, so Enter in a
// field confirms.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Dialog(props: {
  open: boolean;
  title: string;
  onCancel: () => void;
  onConfirm: () => void;
  confirmLabel: string;
  cancelLabel: string;
  confirmClass?: string;
  confirmDisabled?: boolean;
  children: ComponentChildren;
  testId?: string;
  id: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      opener.current = document.activeElement;
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
      const first = d.querySelector<HTMLElement>('[autofocus], input, textarea, button.confirm');
      first?.focus();
    } else if (!props.open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
      (opener.current as HTMLElement | null)?.focus?.();
    }
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${props.id}-title`}
      data-testid={props.testId}
      onCancel={(e) => {
        e.preventDefault(); // Escape: let the owner close it, so state and DOM agree
        props.onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!props.confirmDisabled) props.onConfirm();
        }}
      >
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        <div class="dialog-actions">
          <button type="button" class="ghost" onClick={props.onCancel}>
            {props.cancelLabel}
          </button>
          <button type="submit" class={`confirm ${props.confirmClass ?? 'primary'}`} disabled={props.confirmDisabled}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
